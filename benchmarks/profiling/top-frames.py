#!/usr/bin/env python3
"""Summarizes a Speedscope file written by `dotnet-trace collect --profile dotnet-sampled-thread-time --format Speedscope`.

The sampler records every thread about 100 times a second, waiting or not. Samples whose stack is waiting (a wait
handle, a semaphore, the socket engine's epoll wait, a blocking read, the timer thread) are left out; what remains are the samples of
threads that were running managed code (CPU_TIME) or native code called from it (UNMANAGED_CODE_TIME: system calls
such as send, SQLite's fsync). Prints the top frames by their own share of those samples, then the share that
includes callees for a few frames of the chat's send path.

usage: top-frames.py FILE.speedscope.json [COUNT]
"""
import collections
import json
import sys

WAITING = ('WaitHandle', 'Monitor.Wait', 'LowLevelLifoSemaphore', 'SemaphoreSlim.Wait(', 'Thread.Sleep',
           'WaitForSignal', 'ManualResetEventSlim.Wait', 'WaitForSocketEvents', 'LowLevelMonitor', 'Thread.Join',
           'WaitOne', 'TimerQueue.TimerThread', 'LowLevelSpinWaiter', 'Console', 'PollEvents', 'Interop+Sys.Read(')
MARKERS = ('CPU_TIME', 'UNMANAGED_CODE_TIME', '?!?')
INCLUSIVE = ('ChatServer.Chat.ChatRoom.Publish', 'ChatServer.Chat.ChatRoom.PublishGroup',
             'System.Net.WebSockets.ManagedWebSocket.SendAsync', 'System.Threading.Monitor.Enter_Slowpath')


def short(frame):
    return frame.split('!')[-1].split('(')[0]


def main(path, count):
    with open(path, encoding='utf-8') as file:
        data = json.load(file)
    frames = [frame['name'] for frame in data['shared']['frames']]
    own = collections.Counter()
    inclusive = collections.Counter()
    total = 0.0
    for profile in data['profiles']:
        stack, last = [], None
        for event in profile['events']:
            if last is not None and stack:
                weight = event['at'] - last
                names = [frames[i] for i in stack]
                managed = [name for name in names if name not in MARKERS]
                native = names[-1] == 'UNMANAGED_CODE_TIME'
                waiting = any(marker in name for name in names for marker in WAITING) or (
                    native and 'SocketAsyncEngine.EventLoop' in managed[-1])
                if not waiting:
                    total += weight
                    own[(short(managed[-1]), 'native' if native else 'managed')] += weight
                    for name in set(managed):
                        inclusive[short(name)] += weight
            last = event['at']
            if event['type'] == 'O':
                stack.append(event['frame'])
            else:
                stack.pop()
    print(f'{path}: {total / 1000:.1f} s of running-thread samples')
    for (name, kind), weight in own.most_common(count):
        print(f'  {100 * weight / total:5.1f} %  {kind:7}  {name}')
    for name in INCLUSIVE:
        print(f'  with callees {100 * inclusive[name] / total:5.1f} %  {name}')


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 5)
