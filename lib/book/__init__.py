"""`lib.book`: the book's machinery: the run configuration and its presets, the chapter runner, the regression
check of glued values, the scorecard's verdict rules, execution statistics and the browser check."""
