package wanka.curate.parse;

import java.io.IOException;
import java.nio.file.Path;

/** Turns one file of a single format into text; a broken file is reported as {@link BadDocument}. */
interface FormatParser {

    Parsed parse(Path file) throws BadDocument, IOException;
}
