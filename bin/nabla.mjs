#!/usr/bin/env node
// The nabla command line (see `nabla --help`).
import process from "node:process";
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
