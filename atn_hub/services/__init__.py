"""The rules: one module per resource. Functions take the acting principal and a session, check what the
principal may do, change the records, append to the change log, and flush; the caller commits once."""
