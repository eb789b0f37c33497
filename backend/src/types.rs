//! Data types: values and their text and binary forms.
