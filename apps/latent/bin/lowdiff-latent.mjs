#!/usr/bin/env node
// See @lowdiff/cli-kit/launcher: the built CLI when fresh, else the sources through tsx.
import { launch } from '@lowdiff/cli-kit/launcher';

launch(import.meta.url);
