"""The stödpersoner's pages, one module per audience."""
