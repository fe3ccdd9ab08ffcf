// What every command of scripts/ does at its end: exit with the code its run resolves with, or
// print the message of the error it failed with and exit with that error's code.

/** How a command maps an error to its exit code and message (none when commander printed it). */
export type FailureOf = (err: unknown) => { code: number; message?: string };

/** Runs a command's `run` with the process's arguments and exits with its code. */
export function runCommand(run: (argv: string[]) => Promise<number>, failure: FailureOf): void {
    run(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: unknown) => {
            const { code, message } = failure(err);
            if (message) {
                console.error(message);
            }
            process.exit(code);
        },
    );
}
