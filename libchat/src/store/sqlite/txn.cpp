#include "store/sqlite/txn.hpp"

namespace chat::store::sqlite {

SqliteTxn::SqliteTxn(Connection& conn, int state_max_delta_chain, ParsedEventCache& event_cache,
                     StreamCounters* counters, SearchQueue* search_queue)
    : events_(conn, event_cache, counters, search_queue), state_(conn, state_max_delta_chain), current_state_(conn),
      extremities_(conn), rooms_(conn), members_(conn), receipts_(conn), account_data_(conn),
      users_(conn), devices_(conn), tokens_(conn), media_(conn), streams_(conn, counters), txn_ids_(conn),
      filters_(conn), push_rules_(conn), aliases_(conn), relations_(conn), reports_(conn),
      openid_tokens_(conn), search_(conn), user_directory_(conn),
      presence_(conn), delivery_(conn), push_actions_(conn),
      admin_(conn, search_queue), registration_tokens_(conn),
      e2ee_keys_(conn), to_device_(conn), key_backup_(conn),
      pushers_(conn),
      outbox_(conn),
      server_keys_(conn) {}

}  // namespace chat::store::sqlite
