"""The hotspot editor: designers place and edit hotspots on a publication's pages or a local
PDF, check them, and save them into the PDF or to the server."""
