ConsentKit.init({categories: ["analytics", "marketing"], endpoint: "/consents?run=__RUN__", revision: 1,
  appearance: {accent: "#7c2d12"}});
