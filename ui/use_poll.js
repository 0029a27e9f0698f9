// A hook that loads data now and again every few seconds (what the API offers
// for live state), and at once when `refresh()` is called after an action.

import { useCallback, useEffect, useRef, useState } from "./html.js";

export function usePoll(load, intervalMs = 2000, deps = []) {
  const [state, setState] = useState({ data: undefined, error: undefined });
  const generation = useRef(0);
  const refresh = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const data = await load();
      if (mine === generation.current) setState({ data, error: undefined });
    } catch (error) {
      if (mine === generation.current) setState((old) => ({ data: old.data, error }));
    }
  }, deps);
  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, intervalMs);
    return () => {
      clearInterval(timer);
      generation.current++;
    };
  }, [refresh, intervalMs]);
  return { ...state, refresh };
}
