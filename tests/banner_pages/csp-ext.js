ran.push("external");
