"""The domain every layer shares; imports nothing of the project.

The model, geometry and units, errors, ids and file stems, the product and printer templates,
the budgets every customization zip is held to.
"""
