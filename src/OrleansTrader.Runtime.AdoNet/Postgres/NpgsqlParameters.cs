using Npgsql;

namespace OrleansTrader.Runtime.AdoNet;

internal static class NpgsqlParameters
{
    /// <summary>Typed parameters: no boxing, and the PostgreSQL type comes from the CLR type, never from text.</summary>
    public static void Add<T>(this NpgsqlParameterCollection parameters, string name, T value) =>
        parameters.Add(new NpgsqlParameter<T>(name, value));
}
