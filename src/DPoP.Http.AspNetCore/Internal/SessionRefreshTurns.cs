namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// One refresh of a session at a time in this process, whatever token it is for: every refresh of a session sends its
/// one refresh token, and a rotated one sent twice ends the grant (OAuth Security BCP §4.14). The token engine runs one
/// refresh per token (<see cref="UserSessionTokens"/>); a session's tokens for other resources wait their turn here,
/// and then read what the refresh before them stored. Only the farm lock (<see cref="SessionRefreshLock"/>) is taken
/// inside a turn, so one caller per instance asks for it.
/// </summary>
internal sealed class SessionRefreshTurns
{
    private readonly Dictionary<(string Scheme, string SessionId), Turn> _turns = [];

    /// <summary>Waits for the session's turn; dispose the result to hand it on. Never cancelled: the refresh waiting is shared.</summary>
    public async Task<IDisposable> EnterAsync(string scheme, string sessionId)
    {
        var id = (scheme, sessionId);
        Turn? turn;
        lock (_turns)
        {
            if (!_turns.TryGetValue(id, out turn))
            {
                _turns[id] = turn = new Turn(id, this);
            }

            turn.Users++;
        }

        await turn.Semaphore.WaitAsync().ConfigureAwait(false);
        return turn;
    }

    /// <summary>A session's turn: its holder and the refreshes waiting, counted so the last one out removes it.</summary>
    private sealed class Turn((string Scheme, string SessionId) id, SessionRefreshTurns owner) : IDisposable
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        /// <summary>The holder and the waiters; written under the owner's lock.</summary>
        public int Users { get; set; }

        public void Dispose()
        {
            lock (owner._turns)
            {
                Semaphore.Release();
                if (--Users == 0)
                {
                    owner._turns.Remove(id);
                }
            }
        }
    }
}
