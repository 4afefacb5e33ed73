"""What people read: student feedback pages and grade exports."""
