"""The manager's live dashboard: reads only, per outlet or for the house (outlet_id None)."""
