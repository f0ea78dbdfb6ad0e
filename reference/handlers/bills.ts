/** GET /bills/get: the bills of the one linked account the access token belongs to. */
import { billsOf, findBiller } from '../data';
import { HttpError, type Switches } from '../http';
import type { Caller } from '../auth';
import type { AccountLink, Store } from '../store';
import { ok, type Handler } from './context';

function mayReadLink(caller: Caller, link: AccountLink, switches: Switches): boolean {
  switch (caller.kind) {
    case 'anyone': return true;
    case 'client': return link.clientId === caller.clientId;
    case 'token': return switches.has('ignore-token-link') || link.linkId === caller.linkId;
  }
}

/** Another link of the same client, whose first bill the bills-leak-other-link fault appends. */
function otherLinkOf(link: AccountLink, store: Store): AccountLink | undefined {
  return [...store.links.values()].find((l) => l.clientId === link.clientId && l.linkId !== link.linkId);
}

function billsOfLink(link: AccountLink, now: number, switches: Switches) {
  const biller = findBiller(link.billerId, switches);
  if (!biller) throw new Error(`Link ${link.linkId} names unknown biller ${link.billerId}`);
  return billsOf(link, biller, now, switches);
}

export const getBills: Handler = ({ caller, params, store, switches, now }) => {
  const linkId = params.account_link_id as string;
  const link = store.links.get(linkId);
  // Unknown and foreign links answer alike, so a token cannot probe which link ids exist.
  if (!link || !mayReadLink(caller, link, switches)) {
    throw new HttpError(403, 'Access token is not valid for this account link');
  }
  const other = switches.has('bills-leak-other-link') ? otherLinkOf(link, store) : undefined;
  const at = now();
  const leaked = other ? billsOfLink(other, at, switches).slice(0, 1) : [];
  return ok({ account_link_id: link.linkId, bills: [...billsOfLink(link, at, switches), ...leaked] });
};
