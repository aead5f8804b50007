"""Documents made on the server: tagged PDFs (attendance sheet, attestation, quote) and ODS exports."""
