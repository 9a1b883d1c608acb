"""The client's own safety-plan page and their caregivers' pages, opened by signed links:
what each person sees (``view``), the page (``page``), the links (``links``), sending them
(``sending``) and the routes (``routes``)."""
