"""`briefing distribute`: numbered personal copies of the PDFs, to the readers of a distribution list.

lists.py reads and checks a list; stamp.py makes the personal copies; sign.py signs them (optional);
deliver.py writes cover notes and messages and delivers them (outbox, folder, SMTP); ledger.py records
every delivery; run.py plans a run from the list and the ledger and carries it out."""
