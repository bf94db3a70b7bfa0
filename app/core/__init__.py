"""Pure domain code: no Qt, no HTTP, no database, no PDF library."""
