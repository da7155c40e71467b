"""Stock items Amazon ships for the shop (Multi-Channel Fulfillment) beside the custom jobs."""
