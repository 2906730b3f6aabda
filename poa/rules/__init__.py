"""The rules of the domain as pure functions and data: the sheet's arithmetic and semáforo,
the workflows' states and transitions, a captured row's checks, dates and text. Imports no
other package of POA and never touches the database."""
