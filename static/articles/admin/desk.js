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

// Autosave: while someone types, the form is kept as an autosave revision at most every
// 30 seconds (never published, never a conflict with the editor's own next save). And a
// heartbeat tells colleagues who is editing.
{
    const AUTOSAVE_EVERY_MS = 30000;
    const HEARTBEAT_EVERY_MS = 60000;

    function csrfToken(form) {
        const field = form.querySelector('input[name=csrfmiddlewaretoken]');
        return field ? field.value : '';
    }

    function formWithoutFiles(form) {
        const data = new FormData(form);
        for (const [name, value] of Array.from(data.entries())) {
            if (value instanceof File) {
                data.delete(name);
            }
        }
        return data;
    }

    window.addEventListener('load', () => {
        const form = document.getElementById('article_form');
        const notices = document.querySelector('.desk-notices');
        if (!form || !notices) {
            return;
        }
        const status = notices.querySelector('.desk-autosave-status');
        let changedSinceAutosave = false;
        let saving = false;
        // The autosave this page keeps updating; another tab or session gets its own.
        let autosaveRevision = '';
        // Colleagues are told someone is editing only once this form was changed.
        let changedSinceOpened = false;
        const markChanged = () => { changedSinceAutosave = true; changedSinceOpened = true; };
        form.addEventListener('input', markChanged);
        form.addEventListener('change', markChanged);
        form.addEventListener('submit', () => { changedSinceAutosave = false; });

        async function autosave() {
            if (!changedSinceAutosave || saving) {
                return;
            }
            saving = true;
            changedSinceAutosave = false;
            try {
                const data = formWithoutFiles(form);
                data.set('_autosave_revision', autosaveRevision);
                const response = await fetch(notices.dataset.autosaveUrl, {
                    method: 'POST',
                    body: data,
                    headers: {'X-CSRFToken': csrfToken(form)},
                    credentials: 'same-origin',
                });
                if (!response.ok) {
                    throw new Error(response.status);
                }
                autosaveRevision = String((await response.json()).revision);
                const time = new Date().toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});
                status.textContent = `Draft kept automatically at ${time}.`;
            } catch (error) {
                changedSinceAutosave = true;
                status.textContent = 'Automatic save failed; your text is still here. Save when you can.';
            } finally {
                saving = false;
            }
        }

        function heartbeat() {
            const data = new FormData();
            data.set('editing', changedSinceOpened ? '1' : '0');
            fetch(notices.dataset.presenceUrl, {
                method: 'POST',
                body: data,
                headers: {'X-CSRFToken': csrfToken(form)},
                credentials: 'same-origin',
            }).catch(() => {});
        }

        const interval = Number(notices.dataset.autosaveInterval || AUTOSAVE_EVERY_MS);
        setInterval(autosave, interval);
        setInterval(heartbeat, HEARTBEAT_EVERY_MS);
        // A tab being closed gets one last chance to keep what was typed.
        window.addEventListener('pagehide', () => {
            if (changedSinceAutosave) {
                const data = formWithoutFiles(form);
                data.set('_autosave_revision', autosaveRevision);
                navigator.sendBeacon(notices.dataset.autosaveUrl, data);
            }
        });
    });
}
