"""RQ jobs. Each job takes ids, builds the app through the factory, calls services, commits once."""
