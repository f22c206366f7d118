"""The case review and appeals: reviews, their chairs, and whether an appeal can be heard."""
