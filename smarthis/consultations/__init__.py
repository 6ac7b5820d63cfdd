"""Inter-hospital consultations (hội chẩn liên viện): scheduled, shared, concluded."""
