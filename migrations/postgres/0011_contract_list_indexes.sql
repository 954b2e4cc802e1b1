-- Contract lists filtered by the goal dashboard's dimensions: with statistics (refreshed by
-- `serve`), the planner starts from the revisions of a rare value instead of walking a year of
-- registrations; common values keep walking the registration-date index in registry order.
CREATE INDEX contract_revisions_contract_type ON contract_revisions (contract_type);
CREATE INDEX contract_revisions_technical_field ON contract_revisions (technical_field);
CREATE INDEX contract_revisions_seller_nature ON contract_revisions (seller_nature);
CREATE INDEX contract_revisions_buyer_nature ON contract_revisions (buyer_nature);
CREATE INDEX contracts_registered_on_id ON contracts (registered_on, id);
