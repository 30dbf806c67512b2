"""What every command shares: problems, domains, answers, certificates, files and exact numbers."""
