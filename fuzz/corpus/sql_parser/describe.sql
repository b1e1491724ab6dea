DESCRIBE clicks; DESC "MyView";
