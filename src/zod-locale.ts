import * as z from 'zod/mini';
import { en } from 'zod/locales';

/**
 * zod/mini loads no locale, so every issue would read "Invalid input". Imported by each module that
 * turns zod issues into client messages; the config is global and set once, at module load.
 */
z.config(en());
