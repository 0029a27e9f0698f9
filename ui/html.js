// The one module that binds the view libraries: Preact renders, htm turns
// tagged templates into Preact elements (no JSX, so no build step).

import { h, render } from "preact";
import htm from "htm";

export const html = htm.bind(h);
export { render };
export { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
