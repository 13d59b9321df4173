"""Calendar feeds: private iCal subscription URLs for volunteers and coordinators."""
