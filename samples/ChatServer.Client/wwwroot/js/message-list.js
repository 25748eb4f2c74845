// Keeps the message list at its newest message, as a chat does, unless the reader has scrolled up to read: Blazor has
// no scrolling API, so this small module does the scrolling and tells the component when the reader leaves or reaches
// the newest message.

// Within this many pixels of the end the reader counts as at the newest message (sub-pixel rounding, a partial row).
const nearEnd = 32;

const isAtEnd = list => list.scrollHeight - list.scrollTop - list.clientHeight <= nearEnd;

const toEnd = list => { list.scrollTop = list.scrollHeight; };

// Starts following: the list is at its newest message until the reader scrolls away.
export function follow(list, component) {
    const state = { atEnd: true };
    list.chatFollow = state;
    list.addEventListener('scroll', () => {
        const atEnd = isAtEnd(list);
        if (atEnd !== state.atEnd) {
            state.atEnd = atEnd;
            component.invokeMethodAsync('OnAtNewestChanged', atEnd);
        }
    }, { passive: true });
    // The list shrinks when the page's header grows or a phone's keyboard opens: a follower stays at the end.
    new ResizeObserver(() => {
        if (state.atEnd) {
            toEnd(list);
        }
    }).observe(list);
}

// After rows were added: back to the end, unless the reader has scrolled away.
export function keepAtNewest(list) {
    if (list.chatFollow?.atEnd) {
        toEnd(list);
    }
}

// The reader asked for the newest message (the "new messages" button, or sending one).
export function scrollToNewest(list) {
    if (list.chatFollow) {
        list.chatFollow.atEnd = true;
    }
    toEnd(list);
}

// After a row's buttons went away (a held deletion was sent): if the focus fell to the page's body, it goes to the
// element given (the message input) instead; a focus the reader put elsewhere stays.
export function focusIfLost(element) {
    const active = document.activeElement;
    if (!active || active === document.body) {
        element.focus();
    }
}
