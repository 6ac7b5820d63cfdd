"""DICOM link: the Modality Worklist SCP the modalities query, and the follower that links
the studies arriving in Orthanc (the PACS) to their order items."""
