SELECT * FROM clicks;
