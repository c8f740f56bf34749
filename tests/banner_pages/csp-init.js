ConsentKit.init({categories: ["analytics", "marketing"], endpoint: "/consents", revision: 1,
  appearance: {accent: "#7c2d12"}});
