window.trackerRan = (window.trackerRan || 0) + 1;
