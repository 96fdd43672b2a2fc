"""The discrete-event simulator: virtual clock, arrivals, handle times, patience, replications."""
