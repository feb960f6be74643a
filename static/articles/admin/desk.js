'use strict';
// Live counts on the article form: words and reading time of the body, characters of SEO fields.
{
    const WORDS_PER_MINUTE = 230;

    function countWords(text) {
        const words = text.trim().split(/\s+/).filter(Boolean);
        return words.length;
    }

    function watchBody() {
        const wordCount = document.querySelector('[data-word-count]');
        const readingTime = document.querySelector('[data-reading-time]');
        const editor = document.querySelector('.field-body .ProseMirror[contenteditable="true"]');
        if (!wordCount || !editor) {
            return false;
        }
        const update = () => {
            const words = countWords(editor.innerText || '');
            wordCount.textContent = words;
            readingTime.textContent = Math.max(1, Math.ceil(words / WORDS_PER_MINUTE));
        };
        new MutationObserver(update).observe(editor, {childList: true, subtree: true, characterData: true});
        update();
        return true;
    }

    function watchLengths() {
        document.querySelectorAll('[data-count-chars]').forEach((field) => {
            const limit = Number(field.dataset.countChars);
            const counter = document.createElement('span');
            counter.className = 'desk-char-count';
            counter.setAttribute('aria-live', 'polite');
            field.insertAdjacentElement('afterend', counter);
            const update = () => {
                counter.textContent = `${field.value.length} / ${limit}`;
                counter.classList.toggle('over', field.value.length > limit);
            };
            field.addEventListener('input', update);
            update();
        });
    }

    window.addEventListener('load', () => {
        watchLengths();
        // The editor mounts itself after load; wait for it briefly.
        let tries = 0;
        const timer = setInterval(() => {
            if (watchBody() || ++tries > 50) {
                clearInterval(timer);
            }
        }, 100);
    });
}

// A workflow step leaves the page: warn before unsaved edits in the article form are lost.
{
    let dirty = false;
    window.addEventListener('load', () => {
        const form = document.getElementById('article_form');
        if (!form) {
            return;
        }
        form.addEventListener('input', () => { dirty = true; });
        form.addEventListener('change', () => { dirty = true; });
        form.addEventListener('submit', () => { dirty = false; });
        document.querySelectorAll('form[data-transition], form.desk-add-note').forEach((other) => {
            other.addEventListener('submit', (event) => {
                const message = 'The article has unsaved changes that this step would lose. Continue without saving them?';
                if (dirty && !window.confirm(message)) {
                    event.preventDefault();
                }
            });
        });
    });
}
