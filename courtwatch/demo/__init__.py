"""Demo data: realistic courthouses, people, shifts, hearings and reports for a first look."""
