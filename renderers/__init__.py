"""Print files from customizations: placement, PDF writing, fonts, proofs."""
