"""Wrong answer: export_embeddings creates its folder with exist_ok=False.

The first export works; run again into the same folder (as from a notebook), it raises
FileExistsError.

week: week06_embeddings
fails: test_7_export.py::test_export_into_a_folder_that_exists
"""

CHANGES = [
    ("folder.mkdir(parents=True, exist_ok=True)", "folder.mkdir(parents=True)"),
]
