ran.push("B");
document.cookie = "_ga_XYZ=GS1.1; path=/";
if (location.hostname.endsWith("shop.test")) document.cookie = "_ga=GA1.2; path=/; domain=shop.test";
