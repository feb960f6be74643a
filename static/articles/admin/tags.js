'use strict';
// Tags in the article form: existing tags autocomplete, a new one is created by typing it.
{
    const $ = django.jQuery;

    function init(select) {
        $(select).select2({
            tags: true,
            width: '100%',
            tokenSeparators: [','],
            ajax: {
                url: select.dataset.autocompleteUrl,
                dataType: 'json',
                delay: 150,
                data: (params) => ({term: params.term || ''}),
                processResults: (data) => ({
                    results: data.results.map((name) => ({id: name, text: name})),
                }),
            },
            createTag: (params) => {
                const term = params.term.trim();
                return term ? {id: term, text: term, newTag: true} : null;
            },
        });
    }

    $(() => $('select.desk-tags').each((_, select) => init(select)));
}
