/**
 * Lets the browser paint and handle input before going on: long work (10,000 files from
 * a picker, a big folder) is cut into pieces, one task each, so no piece makes a long
 * task. A MessageChannel message: unlike `setTimeout(0)` it is not slowed to once a
 * second in a background tab, and it queues behind what is already waiting (input,
 * other messages), in every engine alike.
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}
