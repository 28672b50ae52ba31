"""Practice scenarios (scam role-plays and task walkthroughs) as data; see the curriculum issue."""
