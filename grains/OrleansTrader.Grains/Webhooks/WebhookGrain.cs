using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Webhooks;

/// <summary>
/// One webhook of one account. It follows the account's events as a strategy does: the "account-events" memory stream says
/// that there is something new, and the account's persisted history (<see cref="IAccountGrain.GetEventsAsync"/>) is what
/// is sent, from the sequence delivered through, so an event the best-effort stream dropped still goes, in order.
/// </summary>
/// <remarks>
/// <para>
/// A request runs outside the grain's turns: a turn starts it, and the pump's next turn takes its outcome. A slow
/// receiver then holds up nothing: not the account's event stream (which hands the next events to its subscribers only
/// when each took the last), not the webhook's own commands.
/// </para>
/// <para>
/// Delivery is at least once. A request's range is written before its first attempt and the sequence delivered through
/// after its 2xx, so a restart in between sends the same events again, with the same delivery id. A keep-alive reminder,
/// registered while the webhook is active, brings it back after a restart (the silo also activates every one at start)
/// and catches up every minute.
/// </para>
/// </remarks>
internal sealed partial class WebhookGrain(
    [PersistentState("webhook")] IPersistentState<WebhookGrainState> state,
    TimeProvider time,
    WebhookSender sender,
    IOptions<WebhookOptions> options,
    ILogger<WebhookGrain> logger) : Grain, IWebhookGrain, IRemindable
{
    internal const string KeepAliveReminder = "webhook-keep-alive";

    /// <summary>Earlier secrets signing at once at most (a request carries one signature per secret).</summary>
    internal const int MaxEarlierSecrets = 2;

    private StreamSubscriptionHandle<AccountEvent>? _subscription;
    private IGrainTimer? _pump;
    private Task<WebhookAttempt>? _inFlight;
    private (long Through, int Events, bool Rewound, int WentBack) _sending;

    /// <summary>How many times this activation saw the account number from the start again (a request tells the ones it covers).</summary>
    private int _wentBack;

    /// <summary>The account had no event to resume from after the position was found past its newest: its next event wakes the pump.</summary>
    private bool _waitingPastNewest;

    // The sequence of the account event the stream gave last: it gives them in order, so one at or below it is the account
    // numbering from the start again (its storage was reset while this webhook ran).
    private long? _streamedThrough;

    /// <summary>The retry this activation scheduled: for the stored time, when (a timestamp) and for how long it waits.</summary>
    private (DateTimeOffset NextAttemptAt, long Since, TimeSpan Wait)? _retryWait;

    /// <summary>The failures this activation counts: for the stored time, how long they had gone on before and since when (a timestamp).</summary>
    private (DateTimeOffset FailingSince, TimeSpan Before, long Since)? _failingSince;

    private string _accountId = string.Empty;
    private string _webhookId = string.Empty;

    private WebhookGrainState S => state.State;

    private WebhookOptions Options => options.Value;

    private IAccountGrain Account => GrainFactory.GetGrain<IAccountGrain>(_accountId);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        WebhookKey.TryParse(this.GetPrimaryKeyString(), out _accountId, out _webhookId);
        if (S.FailingSince is { } failingSince)
        {
            // Failures from before the restart go on from their stored elapsed time; the silo's downtime is not counted.
            _failingSince = (failingSince, StoredFailingTime(failingSince), time.GetTimestamp());
        }

        if (S.Exists && S.State == WebhookState.Active)
        {
            await StartAsync();
        }
    }

    public async Task<WebhookCommandResult> CreateAsync(CreateWebhook command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_accountId.Length == 0)
        {
            return Fail(WebhookErrorCodes.InvalidKey, "Webhook keys are \"accountId/webhookId\".");
        }

        if (S.Exists)
        {
            return Fail(WebhookErrorCodes.AlreadyExists, $"Webhook {_webhookId} already exists in account {_accountId}.");
        }

        if (WebhookUrl.Check(command.Url, Options.AllowPrivateNetworks) is { } invalid)
        {
            return Fail(WebhookErrorCodes.InvalidUrl, invalid) with { Field = "url" };
        }

        if (await Account.GetRiskLimitsAsync() is null)
        {
            return Fail(AccountErrorCodes.NotOpen, $"Account {_accountId} does not exist.");
        }

        var directory = GrainFactory.GetGrain<IWebhookDirectoryGrain>(_accountId);
        if (!await directory.AddAsync(_webhookId))
        {
            return Fail(WebhookErrorCodes.Limit, $"Account {_accountId} has its maximum of {WebhookDirectoryGrain.MaxWebhooks} webhooks.");
        }

        try
        {
            // A new webhook delivers what happens from now on, not the account's past.
            var last = (await Account.GetEventsAsync(long.MaxValue - 1, 0)).LastSequence;
            state.State = new WebhookGrainState
            {
                Exists = true,
                Url = command.Url,
                Kinds = [.. command.Kinds.Distinct().Order()],
                Description = command.Description,
                Secret = WebhookSender.NewSecret(),
                CreatedAt = time.GetUtcNow(),
                State = WebhookState.Active,
                DeliveredThrough = last,
            };

            // The keep-alive before the write: registered after it, its failure left a webhook stored active that nothing
            // started (its retry answered AlreadyExists, a resume found it active, a restart wakes only webhooks with one).
            // One left by a failed write removes itself at its first tick, as it finds no webhook.
            await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            await state.WriteStateAsync();
        }
        catch
        {
            // Not created: neither a webhook that exists only in this activation nor its place in the account's limit stays.
            state.State = new WebhookGrainState();
            await directory.RemoveAsync(_webhookId);
            throw;
        }

        await StartAsync();
        WebhookLog.Created(logger, _accountId, _webhookId, new Uri(S.Url).GetLeftPart(UriPartial.Authority));
        return new WebhookCommandResult(true, Status(), S.Secret);
    }

    public Task<WebhookStatus?> GetStatusAsync() => Task.FromResult(S.Exists ? Status() : null);

    public async Task<WebhookCommandResult> ResumeAsync()
    {
        if (!S.Exists)
        {
            return NotFound();
        }

        if (S.State == WebhookState.Disabled)
        {
            // The keep-alive before the write, as at creation: registered after it, its failure left the webhook stored
            // active without one, the caller's retry found it active and registered none, and a restart never woke it.
            // One left by a failed write removes itself at its first tick, as it finds the webhook disabled.
            await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            var (failures, failingSince) = (S.ConsecutiveFailures, S.FailingSince);
            S.State = WebhookState.Active;
            S.ConsecutiveFailures = 0;
            S.FailingSince = null;
            var failedFor = S.FailedFor;
            S.FailedFor = null;
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                // Left active in memory only, the retry would find it active and neither store that nor start delivery:
                // it would answer Active while sending nothing, and the next activation would load it disabled again.
                (S.State, S.ConsecutiveFailures, S.FailingSince, S.FailedFor) = (WebhookState.Disabled, failures, failingSince, failedFor);
                throw;
            }

            await StartAsync();
            WebhookLog.Resumed(logger, _accountId, _webhookId);
        }

        // Resuming an active webhook that waits for its next attempt makes that attempt now.
        S.NextAttemptAt = null;
        Kick(TimeSpan.Zero);
        return new WebhookCommandResult(true, Status());
    }

    public async Task<WebhookCommandResult> RotateSecretAsync(TimeSpan previousValidFor)
    {
        if (!S.Exists)
        {
            return NotFound();
        }

        if (previousValidFor < TimeSpan.Zero || previousValidFor > WebhookLimits.MaxPreviousSecretValidity)
        {
            return Fail(WebhookErrorCodes.InvalidRotation, $"The old secret may stay valid for 0 to {WebhookLimits.MaxPreviousSecretValidity.TotalDays} days.")
                with { Field = "previousSecretValidForSeconds" };
        }

        // Every earlier secret keeps the validity it was given (a second rotation within an overlap must not cut off
        // receivers still on the first secret); a rotation that would make more than MaxEarlierSecrets sign is refused.
        var now = time.GetUtcNow();
        var earlier = ValidEarlierSecrets(now).ToList();
        if (previousValidFor > TimeSpan.Zero)
        {
            earlier.Insert(0, new EarlierSecret(S.Secret, now + previousValidFor));
        }

        if (earlier.Count > MaxEarlierSecrets)
        {
            // Say when the secrets signing now stop, and so when an overlap is taken again: not when the refused one would end.
            var signingUntil = ValidEarlierSecrets(now).Select(e => e.ValidUntil).Order().ToList();
            var overlapFrom = signingUntil[signingUntil.Count - MaxEarlierSecrets];
            return Fail(WebhookErrorCodes.InvalidRotation,
                    $"{signingUntil.Count} earlier secrets still sign, until {string.Join(" and ", signingUntil.Select(u => u.ToString("O", CultureInfo.InvariantCulture)))}: "
                    + $"rotate with previousSecretValidForSeconds 0, or with an overlap from {overlapFrom:O}.")
                with { Field = "previousSecretValidForSeconds" };
        }

        var (secret, earlierBefore, rotatedAt) = (S.Secret, S.EarlierSecrets, S.SecretRotatedAt);
        S.EarlierSecrets = earlier;
        S.Secret = WebhookSender.NewSecret();
        S.SecretRotatedAt = now;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The caller is told the rotation failed and never sees the new secret: requests signed with it could not be verified.
            (S.Secret, S.EarlierSecrets, S.SecretRotatedAt) = (secret, earlierBefore, rotatedAt);
            throw;
        }

        WebhookLog.SecretRotated(logger, _accountId, _webhookId, previousValidFor);
        return new WebhookCommandResult(true, Status(), S.Secret);
    }

    public async Task<WebhookCommandResult> DeleteAsync()
    {
        if (!S.Exists)
        {
            // A deletion whose directory write failed left the id there: its retry frees the account's place.
            if (_accountId.Length > 0)
            {
                await GrainFactory.GetGrain<IWebhookDirectoryGrain>(_accountId).RemoveAsync(_webhookId);
            }

            return NotFound();
        }

        var last = Status();
        await StopAsync();
        if (await this.GetReminder(KeepAliveReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        await state.ClearStateAsync();
        state.State = new WebhookGrainState();
        await GrainFactory.GetGrain<IWebhookDirectoryGrain>(_accountId).RemoveAsync(_webhookId);
        WebhookLog.Deleted(logger, _accountId, _webhookId);
        DeactivateOnIdle();
        return new WebhookCommandResult(true, last);
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!S.Exists || S.State != WebhookState.Active)
        {
            if (await this.GetReminder(reminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            return;
        }

        // Catches up what the best-effort stream did not announce; a webhook waiting to retry keeps waiting.
        if (S.NextAttemptAt is not { } next || RetryWaitLeft(next) <= TimeSpan.Zero)
        {
            Kick(TimeSpan.Zero);
        }
    }

    private async Task StartAsync()
    {
        _subscription ??= await this.GetStreamProvider(StreamNames.MemoryProvider)
            .GetStream<AccountEvent>(StreamId.Create(StreamNames.AccountEvents, _accountId))
            .SubscribeAsync(OnAccountEventAsync);
        var wait = S.NextAttemptAt is { } next && RetryWaitLeft(next) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;
        if (_pump is null)
        {
            _pump = RegisterGrainTimer(PumpAsync, wait, Timeout.InfiniteTimeSpan);
        }
        else
        {
            Kick(wait);
        }
    }

    private async Task StopAsync()
    {
        if (_subscription is not null)
        {
            await _subscription.UnsubscribeAsync();
            _subscription = null;
        }

        _pump?.Dispose();
        _pump = null;

        // A request still out is left to finish; its outcome is not taken.
        _inFlight = null;
    }

    private async Task OnAccountEventAsync(AccountEvent entry, StreamSequenceToken? token)
    {
        // An account that numbers from the start again wakes the pump too: its events at or below the position delivered
        // through were ignored, until the keep-alive found the position past its newest event, or never, once its sequence
        // had passed the old position by then.
        var wentBack = _streamedThrough is { } streamed && entry.Sequence <= streamed && entry.Sequence <= S.DeliveredThrough;
        _streamedThrough = entry.Sequence;
        if (wentBack)
        {
            // Kept, not only a wake-up: a request out or waiting for its retry ignores the kick, and by its end the account's
            // sequence may have passed the old position, so the pump could no longer tell and would skip the new history.
            _wentBack++;
            if (!S.AccountWentBack)
            {
                S.AccountWentBack = true;
                await state.WriteStateAsync();
            }
        }

        if (S.State == WebhookState.Active && S.NextAttemptAt is null && _inFlight is null && (entry.Sequence > S.DeliveredThrough || _waitingPastNewest || wentBack))
        {
            Kick(TimeSpan.Zero);
        }
    }

    private void Kick(TimeSpan due) => _pump?.Change(due, Timeout.InfiniteTimeSpan);

    /// <summary>One step: take a finished request's outcome, or start the next request when there are events to send.</summary>
    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        if (_inFlight is { } inFlight)
        {
            if (!inFlight.IsCompleted)
            {
                return;
            }

            _inFlight = null;
            if (!await TakeOutcomeAsync(await inFlight))
            {
                return;
            }
        }

        if (!S.Exists || S.State != WebhookState.Active)
        {
            return;
        }

        // A timer may fire a little before the wait is over: it waits the rest.
        if (S.NextAttemptAt is { } next && RetryWaitLeft(next) is var left && left > TimeSpan.Zero)
        {
            Kick(left);
            return;
        }

        // A position past the account's newest event (its storage reset or restored from an older backup) was never given
        // by this history: waiting for it would skip every event up to it. A gap, sent from the oldest event kept; the
        // position moves back only on that request's 2xx (a pending range below it is that request failing, retried here).
        var rewound = S.AccountWentBack || S.PendingThrough < S.DeliveredThrough;
        var page = await Account.GetEventsAsync(rewound ? 0 : S.DeliveredThrough, Options.MaxEventsPerRequest);
        if (!rewound && S.DeliveredThrough > page.LastSequence)
        {
            rewound = true;
            page = await Account.GetEventsAsync(0, Options.MaxEventsPerRequest);
            if (page.Events.Count > 0)
            {
                WebhookLog.PositionPastNewest(logger, _accountId, _webhookId, S.DeliveredThrough, page.LastSequence, page.OldestSequence);
            }
        }

        _waitingPastNewest = rewound && page.Events.Count == 0;
        if (_waitingPastNewest)
        {
            return;
        }

        IReadOnlyList<AccountEvent> read = S.PendingThrough is { } pending ? [.. page.Events.Where(e => e.Sequence <= pending)] : page.Events;
        var events = S.Kinds.Count == 0 ? read : [.. read.Where(e => S.Kinds.Contains(e.Kind))];
        long? truncatedBefore = page.Truncated || rewound ? page.OldestSequence : null;
        var through = read.Count > 0 ? read[^1].Sequence : Math.Max(rewound ? 0 : S.DeliveredThrough, page.OldestSequence - 1);
        if (events.Count == 0 && truncatedBefore is null)
        {
            // Nothing of the kinds it takes: move past them without a request (a failed request's range, if any, is gone).
            S.PendingThrough = null;
            if (through > S.DeliveredThrough)
            {
                S.DeliveredThrough = through;
                await state.WriteStateAsync();
                Kick(TimeSpan.Zero);
            }

            return;
        }

        var first = events.Count > 0 ? events[0].Sequence : through;
        var delivery = new WebhookDelivery
        {
            DeliveryId = $"{_webhookId}:{first}-{through}",
            WebhookId = _webhookId,
            AccountId = _accountId,
            TruncatedBefore = truncatedBefore,
            Events = [.. events.Select(AccountEventReport.Round)],
        };
        // The range is stored before its first attempt, not only once that failed: a silo that stops or crashes with the
        // request out, or before its outcome is written, sends these events again with this delivery id, not with the
        // events that came meanwhile under another one (a receiver keeping delivery ids would take the repeated ones twice).
        if (S.PendingThrough is null)
        {
            S.PendingThrough = through;
            await state.WriteStateAsync();
        }

        _sending = (through, events.Count, rewound, _wentBack);
        S.LastAttemptAt = time.GetUtcNow();
        var (url, secrets) = (S.Url, SigningSecrets());
        var pump = _pump;
        _inFlight = SendOutsideTurnAsync(() => sender.SendAsync(url, secrets, delivery), () => pump?.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    /// <summary>Applies a request's outcome; true when the next events may go at once.</summary>
    private async Task<bool> TakeOutcomeAsync(WebhookAttempt attempt)
    {
        if (!S.Exists || S.State != WebhookState.Active)
        {
            return false;
        }

        var now = time.GetUtcNow();
        if (attempt.Delivered)
        {
            S.DeliveredThrough = _sending.Rewound ? _sending.Through : Math.Max(S.DeliveredThrough, _sending.Through);

            // Back in the account's new history, unless it went back again while this request was out.
            S.AccountWentBack &= !(_sending.Rewound && _sending.WentBack == _wentBack);
            S.PendingThrough = null;
            S.Deliveries++;
            S.EventsDelivered += _sending.Events;
            S.ConsecutiveFailures = 0;
            S.FailingSince = null;
            S.FailedFor = null;
            S.LastError = null;
            S.NextAttemptAt = null;
            S.LastSuccessAt = now;
            await state.WriteStateAsync();
            return true;
        }

        S.ConsecutiveFailures++;
        S.PendingThrough ??= _sending.Through;
        if (S.FailingSince is null)
        {
            S.FailingSince = now;
            _failingSince = (now, TimeSpan.Zero, time.GetTimestamp());
        }

        S.LastError = attempt.Error;
        S.FailedFor = FailingFor(S.FailingSince.Value);

        // A 410 is the receiver saying to stop: retried, the same answer came every few minutes for the whole window.
        if (attempt.Gone || S.FailedFor >= Options.DisableAfter)
        {
            S.State = WebhookState.Disabled;
            S.NextAttemptAt = null;
            await state.WriteStateAsync();
            if (attempt.Gone)
            {
                WebhookLog.DisabledAsGone(logger, _accountId, _webhookId, S.LastError);
            }
            else
            {
                WebhookLog.Disabled(logger, _accountId, _webhookId, S.ConsecutiveFailures, S.LastError);
            }

            return false;
        }

        // The receiver's Retry-After when it asks for longer than the backoff: a date already past (its clock behind ours)
        // or "0" must not make every retry immediate, hammering a receiver that says it is overloaded.
        var backoff = Backoff(S.ConsecutiveFailures);
        var wait = attempt.RetryAfter is { } asked && asked > backoff ? asked : backoff;
        S.NextAttemptAt = now + wait;
        _retryWait = (S.NextAttemptAt.Value, time.GetTimestamp(), wait);
        await state.WriteStateAsync();
        WebhookLog.Failed(logger, _accountId, _webhookId, S.ConsecutiveFailures, S.LastError, wait);
        Kick(wait);
        return false;
    }

    /// <summary>
    /// The wait left before the retry due at <paramref name="next"/>. The wait this activation scheduled counts elapsed time,
    /// not the wall clock's: set back an hour (an operator's mistake, NTP stepping a clock that ran fast), the wall clock
    /// held the retry, and the account's events behind it, until it reached the stored time again, an hour later. A wait
    /// read from storage (a restart) has only the stored time, and is never longer than the failure set it from its attempt
    /// (both stored times of one clock reading apart by the request): capped only at the longest wait any failure can set,
    /// a clock set back an hour across a restart held a one-second backoff for the hour. What it gives counts elapsed time.
    /// </summary>
    private TimeSpan RetryWaitLeft(DateTimeOffset next)
    {
        if (_retryWait is { } scheduled && scheduled.NextAttemptAt == next)
        {
            return scheduled.Wait - time.GetElapsedTime(scheduled.Since);
        }

        var longest = Options.MaxRetryAfter > Options.MaxRetryDelay ? Options.MaxRetryAfter : Options.MaxRetryDelay;
        if (S.LastAttemptAt is { } attempted && next - attempted is var set && set >= TimeSpan.Zero && set < longest)
        {
            longest = set;
        }

        // Counted as elapsed time from this first reading on: read afresh each time, the cap gave a clock behind the stored
        // time a full wait again at every timer, and the retry went only once the clock reached the stored time.
        var left = next - time.GetUtcNow();
        left = left < longest ? left : longest;
        _retryWait = (next, time.GetTimestamp(), left);
        return left;
    }

    /// <summary>
    /// How long the webhook has been failing, in elapsed time: on the wall clock, a clock stepped forward three days between
    /// two failures a second apart (a host resumed after a suspension) disabled the webhook as if it had failed for a day.
    /// Failures from before a restart go on from the elapsed time stored with the last of them (<see cref="StoredFailingTime"/>).
    /// </summary>
    private TimeSpan FailingFor(DateTimeOffset failingSince)
    {
        if (_failingSince is not { } counted || counted.FailingSince != failingSince)
        {
            counted = (failingSince, StoredFailingTime(failingSince), time.GetTimestamp());
            _failingSince = counted;
        }

        return counted.Before + time.GetElapsedTime(counted.Since);
    }

    /// <summary>
    /// The failing time stored with the last failure. Measured from the stored failingSince on the wall clock, a clock
    /// stepped three days forward across a restart, or a silo down three days, disabled the webhook at its first failure
    /// after the restart, and one set back an hour kept it failing an hour past its window. A record from before the
    /// elapsed time was stored has the failure's two wall times of one run, its last attempt's and failingSince, apart by
    /// about the failing time.
    /// </summary>
    private TimeSpan StoredFailingTime(DateTimeOffset failingSince) =>
        S.FailedFor ?? (S.LastAttemptAt is { } attempted && attempted > failingSince ? attempted - failingSince : TimeSpan.Zero);

    /// <summary>The first delay doubled per further failure, at most the maximum, less up to a fifth at random (so receivers coming back are not hit at once).</summary>
    private TimeSpan Backoff(int failures)
    {
        // Doubled in ticks as a double, compared before it becomes a TimeSpan: a first delay of 15 minutes doubled 30 times
        // is beyond TimeSpan.MaxValue, and the OverflowException left the failure unstored and the retry to the keep-alive.
        var doubled = Options.FirstRetryDelay.Ticks * Math.Pow(2, failures - 1);
        var wait = doubled < Options.MaxRetryDelay.Ticks ? TimeSpan.FromTicks((long)doubled) : Options.MaxRetryDelay;
        return wait * (1 - (Random.Shared.NextDouble() / 5));
    }

    /// <summary>
    /// Runs the request on the thread pool, without this turn's call context, and wakes the pump once it has ended (after
    /// the task completed, so the pump's turn finds it completed).
    /// </summary>
    private static Task<WebhookAttempt> SendOutsideTurnAsync(Func<Task<WebhookAttempt>> send, Action done)
    {
        using (ExecutionContext.SuppressFlow())
        {
            var request = Task.Run(async () =>
            {
                try
                {
                    return await send();
                }
                catch (Exception ex)
                {
                    return new WebhookAttempt(false, ex.Message, null);
                }
            });
            request.ContinueWith(static (_, wake) => ((Action)wake!)(), done, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return request;
        }
    }

    /// <summary>The current secret, then the earlier ones still valid, newest first.</summary>
    private string[] SigningSecrets() => [S.Secret, .. ValidEarlierSecrets(time.GetUtcNow()).Select(e => e.Secret)];

    private IEnumerable<EarlierSecret> ValidEarlierSecrets(DateTimeOffset now) => S.EarlierSecrets.Where(e => e.ValidUntil > now);

    private WebhookStatus Status() => new()
    {
        WebhookId = _webhookId,
        AccountId = _accountId,
        Url = S.Url,
        Kinds = [.. S.Kinds],
        Description = S.Description,
        State = S.State,
        CreatedAt = S.CreatedAt,
        SecretRotatedAt = S.SecretRotatedAt,
        PreviousSecretValidUntil = ValidEarlierSecrets(time.GetUtcNow()).Select(e => (DateTimeOffset?)e.ValidUntil).Max(),
        DeliveredThroughSequence = S.DeliveredThrough,
        Deliveries = S.Deliveries,
        EventsDelivered = S.EventsDelivered,
        ConsecutiveFailures = S.ConsecutiveFailures,
        FailingSince = S.FailingSince,
        LastAttemptAt = S.LastAttemptAt,
        LastSuccessAt = S.LastSuccessAt,
        LastError = S.LastError,
        NextAttemptAt = S.NextAttemptAt,
    };

    private static WebhookCommandResult Fail(string code, string message) => new(false, null, null, code, message);

    private WebhookCommandResult NotFound() => Fail(WebhookErrorCodes.NotFound, $"No webhook {_webhookId} in account {_accountId}.");
}
