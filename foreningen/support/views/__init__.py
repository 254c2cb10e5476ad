"""The support pages, one module per audience: parents (public), coordinators, stödpersoner
and social workers."""
