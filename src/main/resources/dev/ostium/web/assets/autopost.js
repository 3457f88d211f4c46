// Submits the form of an auto-post page (response_mode=form_post) as soon as it is shown; without
// JavaScript the page's own button does the same.
document.querySelector("form[data-autopost]").submit();
