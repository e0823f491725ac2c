namespace OrleansTrader.Runtime.Tests.Grains;

public interface IReminderGrain : IGrainWithStringKey, IRemindable
{
    Task Register(string name, TimeSpan dueTime, TimeSpan period);

    Task Unregister(string name);

    /// <summary>Registers the reminder and keeps the handle it returns (for <see cref="UnregisterKept"/>).</summary>
    Task RegisterKeepingHandle(string name, TimeSpan dueTime, TimeSpan period);

    /// <summary>Unregisters with the handle kept by <see cref="RegisterKeepingHandle"/>, however old it is.</summary>
    Task UnregisterKept(string name);
}
