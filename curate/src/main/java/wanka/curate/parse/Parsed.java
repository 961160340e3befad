package wanka.curate.parse;

/** The text of one parsed file in reading order, and its page count (slides, sheets; 0 when unknown). */
record Parsed(String text, int pages) {
}
